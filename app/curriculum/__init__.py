"""Curriculum: competencies, syllabi, courses and lessons loaded from course_content."""
